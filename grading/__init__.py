"""The grading engine of the FastAPI async exercise kit.

Graders import what they need from here:

    from grading import graded, fail, check, expect_status
"""

from grading.feedback import Feedback, check, fail
from grading.probes.drivers import expect_status
from grading.spec import graded

__all__ = ["Feedback", "check", "expect_status", "fail", "graded"]
