from setuptools import setup

setup(
    name="setup-py-tests-require",
    version="0.1.0",
    description="Golden repo: setup.py only, test tools in tests_require and a test extra.",
    packages=["tests_require_app"],
    python_requires=">=3.9",
    install_requires=["attrs"],
    tests_require=["pytest", "six"],
    extras_require={"test": ["idna"]},
)
