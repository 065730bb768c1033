from accounts.tests.mailbox import smtp_server  # noqa: F401  (a fixture)
