"""App Service: web apps with their `config/web`, App Service plans, and the autoscale settings
that decide how many instances a plan runs (Microsoft.Insights, read here because they target plans).

Only `get_configuration` (`config/web`) and the two basic-auth publishing policies
(`basicPublishingCredentialsPolicies/ftp` and `/scm`, a flag each: `properties.allow`) are read
of a site: app settings, connection strings and publishing credentials hold secrets and are
never requested (the credentials are a POST action, which the request hook refuses).
"""

from __future__ import annotations

from azure.mgmt.monitor import MonitorManagementClient
from azure.mgmt.web import WebSiteManagementClient

from auditor.arm import types
from auditor.arm.types import Resource
from auditor.collect.context import Sub, name, resource_group

SITES = types.WEB_SITES
SITE_CONFIG = types.SITE_CONFIG
PUBLISHING_POLICIES = types.SITE_PUBLISHING_POLICIES
PLANS = types.SERVER_FARMS
AUTOSCALE = types.AUTOSCALE_SETTINGS

TYPES = (SITES, SITE_CONFIG, PUBLISHING_POLICIES, PLANS, AUTOSCALE)
AREA = "app service"


def collect_web(sub: Sub) -> None:
    """Queue the reads of web apps (with their config/web and publishing policies), App Service plans
    and autoscale settings."""
    web = sub.client(WebSiteManagementClient)

    def children(site: Resource) -> None:
        rg, app = resource_group(site), name(site)
        sub.get(SITE_CONFIG, f"{site['id']}/config/web", lambda: web.web_apps.get_configuration(rg, app))
        policies = f"{site['id']}/basicPublishingCredentialsPolicies"
        sub.get(PUBLISHING_POLICIES, f"{policies}/ftp", lambda: web.web_apps.get_ftp_allowed(rg, app))
        sub.get(PUBLISHING_POLICIES, f"{policies}/scm", lambda: web.web_apps.get_scm_allowed(rg, app))

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
