"""The engine's rules, one concern per module.

- facts: the numbers and yes/no facts a case gives (shared by `evaluate` and `evaluate_frame`)
- judgment: the one judgment per case (the decision graph walked with every marker the profile reads)
- next_steps: the B12 plan's statements, each with its kind
- pitfalls: the pitfall table
- explain: caveats, warnings, the "why" trace and the mechanism lighting
"""
