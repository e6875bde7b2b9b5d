"""The supply network: one product map, ``Network``, its builder, the observed baseline
and the invariant checks."""
