"""Reporters render one GradeReport; none computes a score of its own."""
