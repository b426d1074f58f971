"""A model-serving service: settings from the environment, errors to Sentry, metrics to Prometheus."""
