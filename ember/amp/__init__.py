"""torch.amp: automatic mixed precision."""
