{{/*
Names: <release>-intctl unless the release name already holds it; at most 40 characters, so that
"<fullname>-controller-headless" and the StatefulSet's pod names stay DNS labels.
*/}}
{{- define "intctl.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{- define "intctl.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "intctl.controllerName" -}}
{{- printf "%s-controller" (include "intctl.fullname" .) -}}
{{- end -}}

{{- define "intctl.environmentServerName" -}}
{{- printf "%s-environment-server" (include "intctl.fullname" .) -}}
{{- end -}}

{{- define "intctl.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "intctl.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one component: pass (dict "root" $ "component" "controller"). */}}
{{- define "intctl.selectorLabels" -}}
app.kubernetes.io/name: {{ include "intctl.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "intctl.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "intctl.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The image by digest when one is given (image.digest), else by tag (default: appVersion). */}}
{{- define "intctl.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/*
A volume holding one key of an existing Secret as the file <path>, readable by the pods' group
(fsGroup) only: (dict "name" "git-token" "ref" .Values.git.token "path" "token").
*/}}
{{- define "intctl.secretVolume" -}}
- name: {{ .name }}
  secret:
    secretName: {{ .ref.secretName }}
    defaultMode: 288 # 0440
    items:
      - key: {{ .ref.key }}
        path: {{ .path }}
{{- end -}}

{{/* Where secret volumes are mounted: /var/run/secrets/intctl/<name>. */}}
{{- define "intctl.secretMount" -}}
- name: {{ .name }}
  mountPath: /var/run/secrets/intctl/{{ .name }}
  readOnly: true
{{- end -}}
