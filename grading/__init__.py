"""The grading engine of the FastAPI async exercise kit.

Graders import what they need from here:

    from grading import graded, fail, check, expect_status, detail_of
"""

from grading.feedback import Feedback, check, fail
from grading.probes.drivers import detail_of, expect_status
from grading.spec import graded

__all__ = ["Feedback", "check", "detail_of", "expect_status", "fail", "graded"]
