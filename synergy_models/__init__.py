"""synergy-models: computing-power-electricity synergy models for China's computing hubs."""

__version__ = "0.1.0"
