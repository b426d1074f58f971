"""Jenkins: rendering (and where relevant registering) the pipeline model."""
