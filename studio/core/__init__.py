"""What engines and UI share, without Qt: images, progress, parameters, backbones."""
