/* The one name of what this device keeps offline: read by the service worker (importScripts)
 * and by the pages (offline.js). Change it to make every device drop its kept copies. */
self.PSOAS_CACHE = "psoas-offline-v5";
