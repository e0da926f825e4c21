"""Your code: fastgen creates these files once and never overwrites them."""
