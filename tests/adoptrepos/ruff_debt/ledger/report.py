def render(entries):
    lines=[ ]
    for e in entries:
        lines.append( "%s %s" % (e['date'], e['amount']) )
    return "\n".join(lines)


def render_html(entries):
    rows = "".join("<tr><td>%s</td></tr>" % e['amount'] for e in entries)
    if not rows: return "<p>empty</p>"
    return "<table>%s</table>" % rows
