"""A learned character tagger for Chinese person names and places (CRF over characters).

``features`` turns a text into per-character feature lists (surname and title lexicons,
jieba part-of-speech), ``corpus`` reads the Weibo NER files and generates property-chat
sentences, ``model`` loads the shipped tagger once per process and returns spans.
"""
