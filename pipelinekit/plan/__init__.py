"""The pipeline model (Pipeline, Job, Rule, reports) and its planner
`plan(facts, config) -> Pipeline`. The model imports no planner."""
