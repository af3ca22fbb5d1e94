// Literal i18n keys of the ticket channels and dispatch strategies (the catalogue check sees them).
export const CHANNEL_KEYS: Record<string, string> = {
  web: 'sdAdmin.channel.web',
  email: 'sdAdmin.channel.email',
  phone: 'sdAdmin.channel.phone',
  api: 'sdAdmin.channel.api',
  monitoring: 'sdAdmin.channel.monitoring',
}

export const KIND_KEYS: Record<string, string> = {
  incident: 'sdAdmin.kind.incident',
  request: 'sdAdmin.kind.request',
}

export const STRATEGY_KEYS: Record<string, { label: string; hint: string }> = {
  manual: { label: 'sdAdmin.dispatch.manual', hint: 'sdAdmin.dispatch.manualHint' },
  round_robin: { label: 'sdAdmin.dispatch.round_robin', hint: 'sdAdmin.dispatch.roundRobinHint' },
  least_open: { label: 'sdAdmin.dispatch.least_open', hint: 'sdAdmin.dispatch.leastOpenHint' },
}
