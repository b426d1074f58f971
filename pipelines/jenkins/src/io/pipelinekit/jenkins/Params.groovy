package io.pipelinekit.jenkins

/**
 * The parameter maps of the library steps, each declared once (type, default, required), so
 * validation, defaults and the error text cannot disagree. Unknown keys are errors: a typo
 * must fail the build, not silently skip what it meant to configure.
 */
class Params implements Serializable {

    private static final long serialVersionUID = 1L

    static final Map<String, Map> PIPELINE = [
        path: [type: String, defaultValue: '.'],
        agentLabel: [type: String, defaultValue: null],
        pythonImage: [type: String, defaultValue: null],
        gpuLabel: [type: String, defaultValue: null],
        timeoutMinutes: [type: Integer, defaultValue: null],
        pipelinekitSpec: [type: String, defaultValue: 'pipelinekit'],
        only: [type: List, defaultValue: null],
    ].asImmutable()

    static final Map<String, Map> STAGE = [
        name: [type: String, required: true],
        path: [type: String, defaultValue: '.'],
        pipelinekitSpec: [type: String, defaultValue: 'pipelinekit'],
    ].asImmutable()

    /** Every problem with `given`, in key order; empty when the map is valid. */
    @NonCPS
    static List<String> problems(Map given, Map<String, Map> spec) {
        List<String> found = []
        for (String key : spec.keySet().sort()) {
            if (spec[key].required && given[key] == null) {
                found.add("missing required parameter '" + key + "' (" + typeName(spec[key].type) + ')')
            }
        }
        for (String key : given.keySet().collect { k -> k.toString() }.sort()) {
            Object value = given[key]
            if (!spec.containsKey(key)) {
                String hint = closest(key, spec.keySet())
                found.add("unknown parameter '" + key + "'" + (hint ? " (did you mean '" + hint + "'?)" : ''))
            } else if (value != null && !hasType(value, (Class) spec[key].type)) {
                found.add("parameter '" + key + "' must be " + typeName(spec[key].type) + ', got ' +
                    value.getClass().simpleName + ' ' + inspect(value))
            } else if (value != null && !valueProblem(key, value).isEmpty()) {
                found.add("parameter '" + key + "' " + valueProblem(key, value))
            }
        }
        found
    }

    /** The one-paragraph error: what is wrong, then every valid parameter with its type. */
    @NonCPS
    static String message(String step, List<String> problems, Map<String, Map> spec) {
        String valid = spec.keySet().sort().collect { it + ' (' + typeName(spec[it].type) + ')' }.join(', ')
        step + ': ' + problems.join('; ') + '. Valid parameters: ' + valid +
            '. See the step help (vars/' + step + '.txt).'
    }

    /** `given` completed with the defaults of the parameters it leaves out. */
    @NonCPS
    static Map withDefaults(Map given, Map<String, Map> spec) {
        Map out = [:]
        for (String key : spec.keySet()) {
            out[key] = given[key] != null ? given[key] : spec[key].defaultValue
        }
        out
    }

    /** The candidate closest to `name` (edit distance), or null when none is plausibly meant. */
    @NonCPS
    static String closest(String name, Collection candidates) {
        String best = null
        int bestDistance = Integer.MAX_VALUE
        for (Object candidate : candidates.collect { it.toString() }.sort()) {
            int d = distance(name.toLowerCase(), candidate.toString().toLowerCase())
            if (d < bestDistance) {
                best = candidate.toString()
                bestDistance = d
            }
        }
        int allowed = Math.max(2, (int) (name.length() / 3))
        bestDistance <= allowed ? best : null
    }

    @NonCPS
    private static int distance(String a, String b) {
        int[] previous = (0..b.length()) as int[]
        for (int i = 1; i <= a.length(); i++) {
            int[] row = new int[b.length() + 1]
            row[0] = i
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1
                row[j] = Math.min(Math.min(row[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost)
            }
            previous = row
        }
        previous[b.length()]
    }

    @NonCPS
    private static boolean hasType(Object value, Class type) {
        if (type == String) {
            return value instanceof CharSequence
        }
        if (type == Integer) {
            return value instanceof Integer || value instanceof Long
        }
        if (type == List) {
            return value instanceof List && value.every { it instanceof CharSequence }
        }
        type.isInstance(value)
    }

    @NonCPS
    private static String valueProblem(String key, Object value) {
        if (key == 'timeoutMinutes' && ((Number) value).longValue() < 1) {
            return 'must be at least 1, got ' + value
        }
        if (key == 'path') {
            String path = value
            if (path.isEmpty() || path.startsWith('/') || path.split('/').contains('..')) {
                return "must be a folder inside the workspace such as '.' or 'services/model', got " +
                    inspect(value)
            }
        }
        ''
    }

    @NonCPS
    private static String typeName(Object type) {
        if (type == List) {
            return 'a List of Strings'
        }
        if (type == Integer) {
            return 'an Integer'
        }
        'a ' + ((Class) type).simpleName
    }

    @NonCPS
    private static String inspect(Object value) {
        value instanceof CharSequence ? "'" + value + "'" : value.toString()
    }

}
