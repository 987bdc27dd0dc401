"""The waitlist ("Terminwunsch"): wishes registered with double opt-in (wishes.py), their
lifecycle and the offers' (lifecycle.py), ranking (ranking.py), and the allocator that holds a
freed place for the best-ranked matching wish and answers offers (allocation.py)."""
