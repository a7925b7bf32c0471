"""A learned character tagger for Chinese person names and places (a fine-tuned Chinese BERT).

``corpus`` reads the Weibo NER files and generates property-chat sentences, ``encoder`` holds
the network and its int8 weights, ``model`` loads the shipped tagger once per process and
returns spans (cached per text).
"""
