"""Developer tools: `praxis dev` (the whole system on one machine), the mail keeper, the demo course."""
