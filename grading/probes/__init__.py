"""Instruments graders share: upstream mocks, blocking detection, app drivers."""
