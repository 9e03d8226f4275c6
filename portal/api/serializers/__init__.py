"""Serializers: unified records out (`records`), write bodies in (`writes`), the shared
envelopes (`common`) and the management objects (`mgmt`)."""
