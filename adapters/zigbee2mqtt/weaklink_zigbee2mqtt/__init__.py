"""weaklink adapter for Zigbee2MQTT: its bridge/devices payload and raw network map, read offline."""

from .adapter import Zigbee2MqttAdapter

__all__ = ["Zigbee2MqttAdapter"]
