"""What every demo sign-in shares (the demo deployment itself is ``web.demo``; each app's ``demo.py`` adds its part)."""

DEMO_PASSWORD = "Saksham-demo-2026"
