// Test helper run by tests/support/groovy.py with Groovy 2.4 (Jenkins core's Groovy line).
// Usage: groovy jenkins_support.groovy REQUEST.json RESULT.json
// REQUEST: {"mode": "parse"|"record", "files": [{"path": "...", "invoke": null | [args...]}]}
//          each file may also carry (all optional): "classpath": [dirs] (a shared library's
//          src/), "binding": {name: value} (e.g. env), "returns": [{"name": step,
//          "contains": text in the JSON of its args or null, "value": what the call returns}],
//          "key": the RESULT key (default: the path; lets one file run with several invokes)
// RESULT:  {"<path>": {"error": null | {"message", "line", "column"}, "tree": node | null}}
// Many files go through one JVM start because starting the JVM costs far more than parsing.
// Output goes to a file, not stdout, so anything the pipeline prints cannot corrupt it.

import groovy.json.JsonOutput
import groovy.json.JsonSlurper
import org.codehaus.groovy.control.CompilerConfiguration
import org.codehaus.groovy.control.MultipleCompilationErrorsException
import org.codehaus.groovy.control.customizers.ImportCustomizer
import org.codehaus.groovy.control.messages.ExceptionMessage
import org.codehaus.groovy.control.messages.SyntaxErrorMessage

/** A name the pipeline reads but nobody defined: env.X, params.X, WORKSPACE, scm, any. */
class UnboundName {
    private final String refPath

    UnboundName(String refPath) { this.refPath = refPath }

    String refPath() { refPath }

    Object getProperty(String name) { new UnboundName(refPath + '.' + name) }

    void setProperty(String name, Object value) { Recorder.assign(refPath + '.' + name, value) }

    Object getAt(Object key) { new UnboundName(refPath + '.' + key) }

    void putAt(Object key, Object value) { Recorder.assign(refPath + '.' + key, value) }

    Object methodMissing(String name, Object args) { new UnboundName(refPath + '.' + name + '()') }

    boolean asBoolean() { true }

    String toString() { '${' + refPath + '}' }
}

/** One recorded call; also what the call returns, e.g. logRotator(...) used as an argument. */
class RecordedCall {
    String name
    List args = []
    List<RecordedCall> children = []
    Integer line

    Object methodMissing(String method, Object args) {
        new UnboundName(name + '().' + method + '()')
    }

    Map toJson() {
        [name: name, args: args, children: children.collect { it.toJson() }, line: line]
    }

    String toString() { '${' + name + '()}' }
}

class Recorder {
    static List<RecordedCall> stack = []
    static String scriptFile
    /** Stubbed results: the first rule whose name (and `contains`) matches is returned. */
    static List<Map> returns = []

    static RecordedCall current() { stack[stack.size() - 1] }

    static Integer currentLine() {
        StackTraceElement frame = new Throwable().stackTrace.find {
            it.fileName == scriptFile && it.lineNumber > 0
        }
        frame?.lineNumber
    }

    static Object call(String name, Object[] argArray) {
        List args = argArray as List
        Closure body = null
        if (args && args[-1] instanceof Closure) {
            body = (Closure) args.remove(args.size() - 1)
        }
        RecordedCall node = new RecordedCall(name: name, line: currentLine())
        node.args = args.collect { encode(it) }
        current().children.add(node)
        if (body != null) {
            runInside(node, body)
        }
        Map stub = returns.find { rule ->
            rule.name == name && (rule.contains == null ||
                JsonOutput.toJson(node.args).contains((String) rule.contains))
        }
        stub != null ? stub.value : node
    }

    static void assign(String name, Object value) {
        RecordedCall node = new RecordedCall(name: '=', args: [name, encode(value)])
        node.line = currentLine()
        current().children.add(node)
    }

    static void runInside(RecordedCall node, Closure body) {
        stack.add(node)
        try {
            body.call()
        } finally {
            stack.remove(stack.size() - 1)
        }
    }

    /** JSON-able form of a value; a call used as a value leaves its parent's children. */
    static Object encode(Object v) {
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof Number) {
            return v
        }
        if (v instanceof GString) {
            // Kept apart from plain strings so tests can tell '${x}' (literal) from "${x}".
            return [gstring: v.toString(), values: v.values.collect { encode(it) }]
        }
        if (v instanceof UnboundName) {
            return [ref: v.refPath()]
        }
        if (v instanceof RecordedCall) {
            stack.each { parent -> parent.children.removeAll { it.is(v) } }
            return [call: v.name, args: v.args, children: v.children.collect { it.toJson() }]
        }
        if (v instanceof Closure) {
            RecordedCall holder = new RecordedCall(name: '{}')
            runInside(holder, v)
            return [closure: holder.children.collect { it.toJson() }]
        }
        if (v instanceof Map) {
            return v.collectEntries { k, x -> [(k.toString()): encode(x)] }
        }
        if (v instanceof Collection || v.getClass().isArray()) {
            return v.collect { encode(it) }
        }
        if (v instanceof Character || v instanceof Enum) {
            return v.toString()
        }
        [object: v.getClass().name, text: v.toString()]
    }
}

/** Base class of the recorded script: every unknown method or property is recorded. */
abstract class RecorderScript extends Script {
    Object methodMissing(String name, Object args) { Recorder.call(name, (Object[]) args) }

    Object getProperty(String name) {
        try {
            return super.getProperty(name)
        } catch (MissingPropertyException ignored) {
            return new UnboundName(name)
        }
    }

    void setProperty(String name, Object value) {
        Recorder.assign(name, value)
        super.setProperty(name, value)
    }

    // Methods Script or Object already has; record them instead of printing or sleeping.
    void println(Object value) { Recorder.call('println', [value] as Object[]) }

    void print(Object value) { Recorder.call('print', [value] as Object[]) }

    // Both overloads: Groovy prefers the DGM sleep(long) (milliseconds) over sleep(Object).
    Object sleep(long value) { Recorder.call('sleep', [value] as Object[]) }

    Object sleep(Object value) { Recorder.call('sleep', [value] as Object[]) }
}

Map errorOf(Throwable e, String fileName) {
    if (e instanceof MultipleCompilationErrorsException) {
        def first = e.errorCollector.errors ? e.errorCollector.errors[0] : null
        if (first instanceof SyntaxErrorMessage) {
            def cause = first.cause
            return [message: cause.message, line: cause.line, column: cause.startColumn]
        }
        if (first instanceof ExceptionMessage) {
            return [message: first.cause.toString(), line: null, column: null]
        }
        return [message: e.message, line: null, column: null]
    }
    StackTraceElement frame = e.stackTrace.find { it.fileName == fileName && it.lineNumber > 0 }
    [message: e.toString(), line: frame?.lineNumber, column: null]
}

@groovy.transform.Field static final String NON_CPS = 'com.cloudbees.groovy.cps.NonCPS'
@groovy.transform.Field static final String LIBRARY = 'org.jenkinsci.plugins.workflow.libs.Library'

CompilerConfiguration configFor(boolean recording) {
    CompilerConfiguration config = new CompilerConfiguration()
    ImportCustomizer imports = new ImportCustomizer()
    imports.addImport('Library', LIBRARY)
    imports.addImport('NonCPS', NON_CPS)
    config.addCompilationCustomizers(imports)
    if (recording) {
        config.scriptBaseClass = RecorderScript.name
    }
    config
}

// Inside a closure, `sleep 5` resolves to the closure's own DGM sleep (milliseconds) before the
// script is asked, so record it on Closure itself too.
ExpandoMetaClass.enableGlobally()
Closure.metaClass.sleep = { long value -> Recorder.call('sleep', [value] as Object[]) }
Closure.metaClass.sleep = { Object value -> Recorder.call('sleep', [value] as Object[]) }

Map request = (Map) new JsonSlurper().parse(new File(args[0]))
boolean recording = request.mode == 'record'
// Stand-ins for what Jenkins provides, under Jenkins' own class names and imported as Jenkins
// imports them, so they resolve in default-package scripts and in a shared library's packaged
// src/ classes alike (an import of a default-package class does not resolve there):
// - `@Library('lib') _`: Jenkins resolves it itself; without a class of that name the semantic
//   analysis of a valid Jenkinsfile fails with "unable to resolve class Library";
// - `@NonCPS`: imported into every pipeline script and library class.
ClassLoader loader = new GroovyClassLoader(this.class.classLoader)
loader.parseClass('''package org.jenkinsci.plugins.workflow.libs
import java.lang.annotation.Retention
import java.lang.annotation.RetentionPolicy
@Retention(RetentionPolicy.SOURCE)
@interface Library {
    String[] value()
    boolean changelog() default true
}
''')
loader.parseClass('''package com.cloudbees.groovy.cps
import java.lang.annotation.Retention
import java.lang.annotation.RetentionPolicy
@Retention(RetentionPolicy.RUNTIME)
@interface NonCPS {
}
''')
Map results = [:]
for (Map item : (List<Map>) request.files) {
    File file = new File((String) item.path)
    Map result = [error: null, tree: null]
    results[item.key ?: item.path] = result  // "key": the same file may run with other args
    try {
        Binding binding = new Binding(item.binding != null ? new LinkedHashMap((Map) item.binding) : [:])
        GroovyShell shell = new GroovyShell(loader, binding, configFor(recording))
        for (Object dir : (List) (item.classpath ?: [])) {
            shell.classLoader.addClasspath((String) dir)
        }
        if (!recording) {
            // Compile only: a library's src/ class need not be a script nor constructible.
            shell.classLoader.parseClass(file)
            continue
        }
        Script script = shell.parse(file)
        RecordedCall root = new RecordedCall(name: '<script>')
        Recorder.stack = [root]
        Recorder.returns = (List<Map>) (item.returns ?: [])
        Recorder.scriptFile = file.name
        script.run()
        if (item.invoke != null) {
            // A shared-library step (vars/NAME.groovy) does its work in call(...).
            script.invokeMethod('call', ((List) item.invoke) as Object[])
        }
        result.tree = root.toJson()
    } catch (Throwable e) {
        result.error = errorOf(e, file.name)
    }
}
new File(args[1]).text = JsonOutput.toJson(results)
