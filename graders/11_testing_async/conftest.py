# The run on the provided app comes first in the feedback: until it passes, the faulty
# versions are held back (their tests say so), so its failure is the cause to read first.
def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: item.name != "test_your_tests_pass_on_the_provided_app")
