"""Language identification (es / qu / other), Quechua spelling normalisation,
the conversation-language policy and the Rasa NLU component that wraps them.

Modules: normalize, spelling, morphology, lexicon, features, detect, policy,
build_profile, component (needs Rasa), commands (``willakuy lang``).
See docs/language.md.
"""
