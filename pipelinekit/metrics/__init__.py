"""Delivery metrics and monitoring: DORA's four keys from the git history (history, dora,
the text/HTML/Prometheus renderings), pushes to a Prometheus Pushgateway, and Sentry releases.
Nothing here is imported by `pipelinekit --help`; heavy libraries load inside the functions."""
