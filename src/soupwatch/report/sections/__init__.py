"""The sections of the FDA premarket package; each turns an Assessment into one or more Tables."""
