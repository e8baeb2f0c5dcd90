/** The page's public configuration (GET /ui/config.json, gateway/routes/ui.ts UiConfig). */

export interface Organisation {
  name: string;
  issuer: string;
  discovery: string;
}

export interface LifecycleEdge {
  from: string;
  to: string;
  schema_ids: string[];
  labels: string[];
}

export interface Lifecycle {
  start: string;
  states: string[];
  terminal: string[];
  edges: LifecycleEdge[];
  refusal_schema: string;
}

export interface UiConfig {
  client_id: string;
  scopes: string;
  organisations: Organisation[];
  temporal_ui: string;
  lifecycle: Lifecycle;
}

export async function loadConfig(): Promise<UiConfig> {
  const res = await fetch('/ui/config.json');
  if (!res.ok) throw new Error(`the page's configuration answered ${res.status}`);
  return (await res.json()) as UiConfig;
}
