"""Two-factor authentication: TOTP authenticator apps and single-use recovery codes.

Built on django-otp (its TOTP and static-device plugins hold the secrets and check the
codes); this package adds the flows around it: turning it on and off, the second login
step for the pages, the admin and the JSON API, and the operator rule for staff.
Wrong codes count against the one login throttle (accounts/throttle.py).
"""
