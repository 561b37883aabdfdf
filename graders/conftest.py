# The grading plugin provides the shared fixtures (submission, client, live, upstream,
# blocking) and turns failures into feedback. Nothing else belongs here.
pytest_plugins = ["grading.plugin"]
