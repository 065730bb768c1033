from accounts.verification import verification_required_for


def email_verification(request) -> dict:
    """`needs_email_verification` for the banner with its resend button (layouts/app.html)."""
    user = getattr(request, "user", None)
    return {"needs_email_verification": user is not None and verification_required_for(user)}
