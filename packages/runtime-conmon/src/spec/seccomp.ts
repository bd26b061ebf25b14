import profile from './default-seccomp.json' with { type: 'json' };
import type { OciSeccomp } from './types.js';

interface DeniedGroup {
  names: string[];
  unlessCapability?: string;
}

const ARCHITECTURES: Record<string, string[]> = {
  x64: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
  arm64: ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM'],
};

/** The default profile for a container holding `capabilities` (its bounding set). */
export function buildSeccomp(capabilities: readonly string[], arch: string = process.arch): OciSeccomp {
  const names = (profile.denied as DeniedGroup[])
    .filter((g) => !g.unlessCapability || !capabilities.includes(g.unlessCapability))
    .flatMap((g) => g.names);
  return {
    defaultAction: profile.defaultAction,
    architectures: ARCHITECTURES[arch] ?? [],
    syscalls: [{ names, action: 'SCMP_ACT_ERRNO', errnoRet: profile.errno }],
  };
}
