"""Input images a user uploads to start a video from (image-to-video).

Validated by decoding (``images``), stored through the same storage as the videos under
the owner's prefix (``storage``), served only to their owner (``api``).
"""
