"""Everything Meilisearch: client, index settings, documents, matching, outbox relay.

Built with the matching issue; the service core does not depend on it.
"""
