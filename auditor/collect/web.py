"""App Service: web apps with their `config/web`, App Service plans, and the autoscale settings
that decide how many instances a plan runs (Microsoft.Insights, read here because they target plans).

Only `get_configuration` (`config/web`) is read: app settings, connection strings and
publishing credentials hold secrets and are never requested. The basic-auth publishing
policies (`basicPublishingCredentialsPolicies/{ftp,scm}`) are left out until a rule needs
them: no rule reads them, and their path is too close to the publishing-credentials action
for a simple "never touched" check.
"""

from __future__ import annotations

from azure.mgmt.monitor import MonitorManagementClient
from azure.mgmt.web import WebSiteManagementClient

from auditor.arm import types
from auditor.arm.types import Resource
from auditor.collect.context import Sub, name, resource_group

SITES = types.WEB_SITES
SITE_CONFIG = types.SITE_CONFIG
PLANS = types.SERVER_FARMS
AUTOSCALE = types.AUTOSCALE_SETTINGS

TYPES = (SITES, SITE_CONFIG, PLANS, AUTOSCALE)
AREA = "app service"


def collect_web(sub: Sub) -> None:
    """Queue the reads of web apps (with their config/web), App Service plans and autoscale settings."""
    web = sub.client(WebSiteManagementClient)

    def children(site: Resource) -> None:
        rg, app = resource_group(site), name(site)
        sub.get(SITE_CONFIG, f"{site['id']}/config/web", lambda: web.web_apps.get_configuration(rg, app))

    sub.list_resources(
        SITES,
        web.web_apps.list,
        web.web_apps.list_by_resource_group,
        diagnostics=True,
        each=children,
        area=AREA,
    )
    sub.list_resources(
        PLANS, web.app_service_plans.list, web.app_service_plans.list_by_resource_group, area=AREA
    )
    monitor = sub.client(MonitorManagementClient)
    sub.list_resources(
        AUTOSCALE,
        monitor.autoscale_settings.list_by_subscription,
        monitor.autoscale_settings.list_by_resource_group,
        area=AREA,
    )
