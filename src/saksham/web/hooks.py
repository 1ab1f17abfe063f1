"""The hook point of the home page: panels of the apps above, by slot."""

from __future__ import annotations

from saksham.core.hooks import Phase, declare

HOME_PANELS = declare("HOME_PANELS", phase=Phase.RENDER, args=("request",), slots=("continue", "main", "side"),
                      returns="HTML")
