"""The instructor's wing: tools that check, hand out and grade the kit. Never shipped to learners.

- ``verify``: the kit holds together (mirroring, declarations, reference full, skeleton zero).
- ``assign``: the student copy, the private graders and the Gradescope package.
- ``gradebook``: grade a whole class, merge re-grades and CI results into one gradebook; with
  ``roster`` (roster, submission times, late policy) and ``overview`` (its HTML pages), it ships
  in the private graders for the gradebook workflow.
- ``templates/``: the files assign writes (noxfile, workflows, Gradescope scripts, READMEs).
- ``bench``: timing figures.
- ``corpus``: builds the corpus of other solutions and mistakes that prove the graders right.
- ``batch``: grade several labelled folders into JSON files (the corpus tests use it).

Everything here uses the engine (``grading``) only through its modules; the engine never
imports from here.
"""
