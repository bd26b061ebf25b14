export { createNetworkNetavarkPlugin, networkNetavarkPlugin, type NetworkNetavarkConfig } from './plugin.js';
export { NetavarkNetworkBackend, DEFAULT_NETAVARK, DEFAULT_AARDVARK, type NetavarkBackendOptions } from './netavark-backend.js';
export { NetworkRegistry, type NetworkRegistryOptions } from './networks.js';
export { AddressAllocator } from './allocator.js';
export { NetavarkCli, NetavarkError } from './netavark-cli.js';
export { isNetavarkStatus, type NetavarkContainerStatus, type NetavarkOptions } from './netavark-types.js';
export { renderHosts, renderResolvConf, renderHostname, parseResolvConf } from './etc-files.js';
export { networkChainHash, networkChains } from './firewall.js';
export { createNetns, removeNetns, isMounted } from './netns.js';
