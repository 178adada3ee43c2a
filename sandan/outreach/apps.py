from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "sandan.outreach"
    label = "outreach"

    def ready(self) -> None:
        # A self-sustaining pilot's projects draw no public grant (ADR 0020); support asks.
        from sandan.outreach.selectors import pilot_public_grant_refusal
        from sandan.support.funding import register_public_grant_guard

        register_public_grant_guard(pilot_public_grant_refusal)
