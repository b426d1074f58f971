"""What a repository is, from its files alone (never importing or running its code):
layout, packages, tests, notebooks, Python, GPU frameworks, tools, test command -> ProjectFacts."""
