"""The filter of the waitlist report: the period of the offers, team and service."""

from .reports import ReportFilterForm


class WaitlistFilterForm(ReportFilterForm):
    """As the breakdowns' filter, without the channel (wishes have none)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["channel"]
