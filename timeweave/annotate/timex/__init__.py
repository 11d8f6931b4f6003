"""Time expressions: find and normalise dates in historical prose into TIMEX3 values and EDTF intervals."""
