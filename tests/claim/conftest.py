from tests.policy.conftest import sale  # noqa: F401 - the policy tests' product and families
