"""The traffic Azure Bastion needs through the NSG of its subnet (Azure Bastion's NSG guidance)."""

from __future__ import annotations

# What NSG007 lets in from the Internet for the Bastion subnet.
BASTION_INTERNET_INBOUND = [
    {"protocol": "Tcp", "ports": ["443"], "sources": ["Internet"]},
    {"protocol": "Tcp", "ports": ["443", "4443"], "sources": ["GatewayManager"]},
]

SUBNET = "subnet"  # placeholder in `required` for the Bastion subnet's own prefixes

BASTION_REQUIRED = [
    {"name": "https-from-internet", "direction": "Inbound", "protocol": "Tcp", "source": "Internet",
     "destination": SUBNET, "ports": ["443"]},
    {"name": "gateway-manager", "direction": "Inbound", "protocol": "Tcp", "source": "GatewayManager",
     "destination": SUBNET, "ports": ["443"]},
    {"name": "load-balancer", "direction": "Inbound", "protocol": "Tcp", "source": "AzureLoadBalancer",
     "destination": SUBNET, "ports": ["443"]},
    {"name": "bastion-host-communication-in", "direction": "Inbound", "protocol": "Tcp",
     "source": SUBNET, "destination": SUBNET, "ports": ["8080", "5701"]},
    {"name": "ssh-rdp", "direction": "Outbound", "protocol": "Tcp", "source": SUBNET,
     "destination": "VirtualNetwork", "ports": ["22", "3389"]},
    {"name": "azure-cloud", "direction": "Outbound", "protocol": "Tcp", "source": SUBNET,
     "destination": "AzureCloud", "ports": ["443"]},
    {"name": "bastion-host-communication-out", "direction": "Outbound", "protocol": "Tcp", "source": SUBNET,
     "destination": SUBNET, "ports": ["8080", "5701"]},
    {"name": "session-information", "direction": "Outbound", "protocol": "Tcp", "source": SUBNET,
     "destination": "Internet", "ports": ["80"]},
]  # fmt: skip
