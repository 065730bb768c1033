pytest_plugins = ["accounts.tests.mailbox"]
