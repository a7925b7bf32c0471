"""Security and privacy: field encryption, lookup hashes, key rotation, audit chain tools, LLM boundary."""
