// The usual alternative to declarativeNetRequest, built only to be measured against Tenant
// Switch (benches/browser/navigation.mjs): a listener sees the navigation after it has started
// and replaces it with tabs.update. Whatever request already left the browser is wasted, and the
// page loads twice.
//
// chrome.storage.local holds the configuration the benchmark writes:
//   tenantId  the tenant to add as ?tid=
//   mode      'webNavigation' (webNavigation.onBeforeNavigate, the earliest JavaScript hook) or
//             'tabs' (tabs.onUpdated with changeInfo.url, the most common one)

const PORTAL_HOSTS = ['securitycenter.windows.com', 'securitycenter.microsoft.com', 'security.microsoft.com'];

let config = chrome.storage.local.get(['tenantId', 'mode']);
chrome.storage.onChanged.addListener(() => {
  config = chrome.storage.local.get(['tenantId', 'mode']);
});

/** `url` with `tid=<tenantId>` added, or null when it is no portal URL or names a tenant already. */
function withTenant(url, tenantId) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (!['https:', 'http:'].includes(parsed.protocol) || !PORTAL_HOSTS.includes(parsed.hostname)) return null;
  if (parsed.port || parsed.username || parsed.password) return null;
  if ([...parsed.searchParams.keys()].some((key) => key.toLowerCase() === 'tid')) return null;
  parsed.searchParams.append('tid', tenantId);
  return parsed.href;
}

async function redirect(tabId, url, source) {
  const { tenantId, mode } = await config;
  if (!tenantId || mode !== source) return;
  const target = withTenant(url, tenantId);
  if (target) await chrome.tabs.update(tabId, { url: target });
}

chrome.webNavigation.onBeforeNavigate.addListener(
  (details) => {
    if (details.frameId === 0) redirect(details.tabId, details.url, 'webNavigation').catch(console.warn);
  },
  { url: PORTAL_HOSTS.map((hostEquals) => ({ hostEquals })) },
);

chrome.tabs.onUpdated.addListener((tabId, changeInfo) => {
  if (changeInfo.url) redirect(tabId, changeInfo.url, 'tabs').catch(console.warn);
});
