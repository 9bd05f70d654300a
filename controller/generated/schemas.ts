// Generated from crds/ by `npm run generate:types`. Do not edit.
/* eslint-disable */
export const API_GROUP_VERSION = "intctl.dev/v1alpha1";

/** The strict JSON Schema of each manifest kind, derived from its CRD. */
export const manifestSchemas = {
  "Integration": {
    "title": "Integration",
    "description": "What to generate for one external system: the generator, the specification it is generated from, the entities, operations and functions selected, the connection it binds to and the environments it is published to.",
    "type": "object",
    "required": [
      "apiVersion",
      "kind",
      "metadata",
      "spec"
    ],
    "properties": {
      "apiVersion": {
        "type": "string",
        "enum": [
          "intctl.dev/v1alpha1"
        ]
      },
      "kind": {
        "type": "string",
        "enum": [
          "Integration"
        ]
      },
      "metadata": {
        "title": "ObjectMeta",
        "type": "object",
        "required": [
          "name"
        ],
        "properties": {
          "name": {
            "description": "The name of the object, unique per kind: lower-case letters, digits and dashes.",
            "type": "string",
            "minLength": 1,
            "maxLength": 63,
            "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
          },
          "namespace": {
            "type": "string",
            "maxLength": 63,
            "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
          },
          "labels": {
            "type": "object",
            "additionalProperties": {
              "type": "string",
              "maxLength": 63
            }
          },
          "annotations": {
            "type": "object",
            "additionalProperties": {
              "type": "string",
              "maxLength": 262144
            }
          }
        },
        "additionalProperties": false
      },
      "spec": {
        "title": "IntegrationSpec",
        "type": "object",
        "required": [
          "system",
          "source",
          "connection",
          "environments"
        ],
        "properties": {
          "system": {
            "description": "The generator that builds this integration.",
            "title": "SystemKind",
            "type": "string",
            "enum": [
              "openapi",
              "odata",
              "postgresql",
              "mysql"
            ]
          },
          "description": {
            "description": "A sentence for the people who call this integration.",
            "type": "string",
            "maxLength": 1024
          },
          "source": {
            "title": "IntegrationSource",
            "description": "The specification the integration is generated from: a file in this repository: an OpenAPI or OData document, or for a database (postgresql, mysql) the schema snapshot that `intctl introspect --write` reads through the bound connection.",
            "type": "object",
            "minProperties": 1,
            "properties": {
              "path": {
                "description": "Path of the specification document, relative to the repository root. It must exist and stay inside the repository.",
                "type": "string",
                "minLength": 1,
                "maxLength": 1024
              },
              "odataVersion": {
                "description": "The OData version of the metadata document; detected when omitted.",
                "type": "string",
                "enum": [
                  "v2",
                  "v4"
                ]
              },
              "introspect": {
                "title": "IntrospectSource",
                "description": "How `intctl introspect` reads the specification from the system itself, through the connection.",
                "type": "object",
                "properties": {
                  "schemas": {
                    "description": "The database schema to read (one; postgresql default public, mysql default the connection's database).",
                    "type": "array",
                    "maxItems": 64,
                    "items": {
                      "type": "string",
                      "minLength": 1,
                      "maxLength": 63
                    }
                  }
                },
                "additionalProperties": false
              }
            },
            "additionalProperties": false
          },
          "entities": {
            "description": "The entities to generate. When omitted, every entity of the specification is generated with every operation it supports.",
            "type": "array",
            "maxItems": 1000,
            "x-kubernetes-list-type": "map",
            "x-kubernetes-list-map-keys": [
              "name"
            ],
            "items": {
              "title": "EntitySelection",
              "type": "object",
              "required": [
                "name"
              ],
              "properties": {
                "name": {
                  "description": "The entity as the specification names it (entity set, resource or table).",
                  "type": "string",
                  "minLength": 1,
                  "maxLength": 256
                },
                "operations": {
                  "description": "The operations to generate; when omitted, every operation the system supports.",
                  "type": "array",
                  "maxItems": 6,
                  "x-kubernetes-list-type": "set",
                  "items": {
                    "title": "Operation",
                    "type": "string",
                    "enum": [
                      "Get",
                      "Search",
                      "Count",
                      "Create",
                      "Update",
                      "Delete"
                    ]
                  }
                },
                "attributes": {
                  "description": "The attributes to expose; when omitted, every attribute.",
                  "type": "array",
                  "maxItems": 1000,
                  "x-kubernetes-list-type": "set",
                  "items": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 256
                  }
                }
              },
              "additionalProperties": false
            }
          },
          "functions": {
            "description": "Functions of the system (OData function imports and actions, OpenAPI operations that are not create, read, update or delete) to expose as actions. When omitted, EVERY function of the specification is published (for GitHub's description, over a thousand actions, deletions included); list the ones the integration needs, or give an empty list for none.",
            "type": "array",
            "maxItems": 1000,
            "x-kubernetes-list-type": "set",
            "items": {
              "type": "string",
              "minLength": 1,
              "maxLength": 256
            }
          },
          "connection": {
            "description": "The Connection this integration authenticates with, bound by name in every target environment.",
            "type": "string",
            "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
            "maxLength": 63
          },
          "environments": {
            "description": "The Environments this integration is published to.",
            "type": "array",
            "minItems": 1,
            "maxItems": 100,
            "x-kubernetes-list-type": "set",
            "items": {
              "type": "string",
              "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
              "maxLength": 63
            }
          },
          "nulls": {
            "description": "Database systems: what a NULL read becomes. passthrough (the default): null; typeDefaults: the type's default where it has one ('' for text, 0 for numbers, false, an empty list), so those attributes are never null.",
            "type": "string",
            "enum": [
              "passthrough",
              "typeDefaults"
            ]
          },
          "suspend": {
            "description": "Stop reconciling this integration; what is published stays as it is.",
            "type": "boolean"
          }
        },
        "additionalProperties": false
      },
      "status": {
        "title": "IntegrationStatus",
        "type": "object",
        "properties": {
          "conditions": {
            "description": "Ready, Reconciling, Stalled, AwaitingApproval, Drifted and CertificatesExpiring, per environment.",
            "type": "array",
            "maxItems": 256,
            "items": {
              "title": "Condition",
              "type": "object",
              "required": [
                "type",
                "status",
                "reason",
                "lastTransitionTime"
              ],
              "properties": {
                "type": {
                  "type": "string",
                  "enum": [
                    "Ready",
                    "Reconciling",
                    "Stalled",
                    "AwaitingApproval",
                    "Drifted",
                    "CertificatesExpiring"
                  ]
                },
                "status": {
                  "type": "string",
                  "enum": [
                    "True",
                    "False",
                    "Unknown"
                  ]
                },
                "environment": {
                  "description": "The environment this condition speaks of.",
                  "type": "string",
                  "maxLength": 63
                },
                "reason": {
                  "description": "Why, as a CamelCase constant (GitFetchFailed, ValidationFailed, ...).",
                  "type": "string",
                  "pattern": "^[A-Z][A-Za-z0-9]*$",
                  "maxLength": 1024
                },
                "message": {
                  "type": "string",
                  "maxLength": 32768
                },
                "observedCommit": {
                  "description": "The Git commit this condition was computed at.",
                  "type": "string",
                  "pattern": "^[0-9a-f]{40}([0-9a-f]{24})?$"
                },
                "lastTransitionTime": {
                  "type": "string",
                  "format": "date-time"
                }
              },
              "additionalProperties": false
            }
          },
          "published": {
            "description": "What is published in each environment.",
            "type": "array",
            "maxItems": 100,
            "items": {
              "title": "PublishedArtifact",
              "type": "object",
              "required": [
                "environment",
                "artifactHash"
              ],
              "properties": {
                "environment": {
                  "type": "string",
                  "maxLength": 63
                },
                "version": {
                  "type": "string",
                  "maxLength": 128
                },
                "artifactHash": {
                  "type": "string",
                  "pattern": "^sha256:[0-9a-f]{64}$"
                },
                "commit": {
                  "type": "string",
                  "pattern": "^[0-9a-f]{40}([0-9a-f]{24})?$"
                }
              },
              "additionalProperties": false
            }
          }
        },
        "additionalProperties": false
      }
    },
    "additionalProperties": false
  },
  "Connection": {
    "title": "Connection",
    "description": "How integrations authenticate at run time, defined per environment: the endpoint, the auth type and its secret values, which are sealed or referenced, never plain text outside environments that allow it.",
    "type": "object",
    "required": [
      "apiVersion",
      "kind",
      "metadata",
      "spec"
    ],
    "properties": {
      "apiVersion": {
        "type": "string",
        "enum": [
          "intctl.dev/v1alpha1"
        ]
      },
      "kind": {
        "type": "string",
        "enum": [
          "Connection"
        ]
      },
      "metadata": {
        "title": "ObjectMeta",
        "type": "object",
        "required": [
          "name"
        ],
        "properties": {
          "name": {
            "description": "The name of the object, unique per kind: lower-case letters, digits and dashes.",
            "type": "string",
            "minLength": 1,
            "maxLength": 63,
            "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
          },
          "namespace": {
            "type": "string",
            "maxLength": 63,
            "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
          },
          "labels": {
            "type": "object",
            "additionalProperties": {
              "type": "string",
              "maxLength": 63
            }
          },
          "annotations": {
            "type": "object",
            "additionalProperties": {
              "type": "string",
              "maxLength": 262144
            }
          }
        },
        "additionalProperties": false
      },
      "spec": {
        "title": "ConnectionSpec",
        "type": "object",
        "required": [
          "system",
          "auth",
          "environments"
        ],
        "properties": {
          "system": {
            "description": "The kind of system this connection reaches; integrations of the same system bind to it.",
            "title": "SystemKind",
            "type": "string",
            "enum": [
              "openapi",
              "odata",
              "postgresql",
              "mysql"
            ]
          },
          "description": {
            "type": "string",
            "maxLength": 1024
          },
          "auth": {
            "title": "ConnectionAuth",
            "description": "How requests authenticate; the secret values are given per environment.",
            "type": "object",
            "required": [
              "type"
            ],
            "properties": {
              "type": {
                "title": "AuthType",
                "type": "string",
                "enum": [
                  "none",
                  "basic",
                  "apiKey",
                  "oauth2ClientCredentials",
                  "oauth2JwtBearer",
                  "clientCertificate"
                ]
              },
              "apiKeyIn": {
                "description": "Where an API key is sent (apiKey).",
                "type": "string",
                "enum": [
                  "header",
                  "query"
                ]
              },
              "apiKeyName": {
                "description": "The header or query parameter that carries the API key (apiKey).",
                "type": "string",
                "minLength": 1,
                "maxLength": 256
              },
              "tokenUrl": {
                "description": "The OAuth 2.0 token endpoint (oauth2ClientCredentials, oauth2JwtBearer).",
                "type": "string",
                "format": "uri",
                "maxLength": 2048
              },
              "scopes": {
                "description": "OAuth 2.0 scopes to request.",
                "type": "array",
                "maxItems": 64,
                "x-kubernetes-list-type": "set",
                "items": {
                  "type": "string",
                  "minLength": 1,
                  "maxLength": 512
                }
              },
              "audience": {
                "description": "The audience of the signed assertion (oauth2JwtBearer; the token endpoint when not given), or the audience parameter sent with a client credentials request (oauth2ClientCredentials).",
                "type": "string",
                "maxLength": 2048
              },
              "issuer": {
                "description": "The authorization server's issuer URL: its token endpoint is read from the issuer's metadata (OpenID Connect discovery, RFC 8414) when tokenUrl is not given (oauth2ClientCredentials, oauth2JwtBearer).",
                "type": "string",
                "format": "uri",
                "maxLength": 2048
              },
              "clientAuthentication": {
                "description": "How the client authenticates at the token endpoint: client_secret_basic (the default with a clientSecret), client_secret_post, private_key_jwt (an assertion signed with privateKey, with the x5t and x5t#S256 of certificate in its header, as Entra ID expects), tls_client_auth and self_signed_tls_client_auth (the client certificate over mutual TLS, RFC 8705), or none (only client_id; the default of oauth2JwtBearer without a clientSecret).",
                "type": "string",
                "enum": [
                  "client_secret_basic",
                  "client_secret_post",
                  "private_key_jwt",
                  "tls_client_auth",
                  "self_signed_tls_client_auth",
                  "none"
                ]
              }
            },
            "additionalProperties": false
          },
          "environments": {
            "description": "The connection as each environment uses it, keyed by environment name.",
            "type": "object",
            "minProperties": 1,
            "maxProperties": 100,
            "additionalProperties": {
              "title": "ConnectionEndpoint",
              "type": "object",
              "required": [
                "endpoint"
              ],
              "properties": {
                "endpoint": {
                  "description": "The base URL of the service, or the database URL (postgresql://host:port/database, mysql://host:port/database; TLS as sslmode=require or verify-full).",
                  "type": "string",
                  "format": "uri",
                  "maxLength": 2048
                },
                "username": {
                  "description": "The user name (basic, and the database user of postgresql and mysql).",
                  "type": "string",
                  "maxLength": 256
                },
                "password": {
                  "description": "The password (basic).",
                  "title": "SecretValue",
                  "type": "object",
                  "minProperties": 1,
                  "maxProperties": 1,
                  "properties": {
                    "plain": {
                      "description": "The value in plain text; refused unless the environment's policy allows plain secrets.",
                      "type": "string",
                      "maxLength": 65536
                    },
                    "sealed": {
                      "description": "The value sealed to the environment's public key with `intctl seal`.",
                      "type": "string",
                      "pattern": "^[A-Za-z0-9+/=_-]+$",
                      "maxLength": 131072
                    },
                    "env": {
                      "description": "The name of an environment variable that holds the value where the connection is used.",
                      "type": "string",
                      "pattern": "^[A-Za-z_][A-Za-z0-9_]*$",
                      "maxLength": 256
                    },
                    "file": {
                      "description": "The path of a file that holds the value (a mounted Kubernetes Secret).",
                      "type": "string",
                      "minLength": 1,
                      "maxLength": 4096
                    }
                  },
                  "additionalProperties": false
                },
                "apiKey": {
                  "description": "The API key (apiKey).",
                  "title": "SecretValue",
                  "type": "object",
                  "minProperties": 1,
                  "maxProperties": 1,
                  "properties": {
                    "plain": {
                      "description": "The value in plain text; refused unless the environment's policy allows plain secrets.",
                      "type": "string",
                      "maxLength": 65536
                    },
                    "sealed": {
                      "description": "The value sealed to the environment's public key with `intctl seal`.",
                      "type": "string",
                      "pattern": "^[A-Za-z0-9+/=_-]+$",
                      "maxLength": 131072
                    },
                    "env": {
                      "description": "The name of an environment variable that holds the value where the connection is used.",
                      "type": "string",
                      "pattern": "^[A-Za-z_][A-Za-z0-9_]*$",
                      "maxLength": 256
                    },
                    "file": {
                      "description": "The path of a file that holds the value (a mounted Kubernetes Secret).",
                      "type": "string",
                      "minLength": 1,
                      "maxLength": 4096
                    }
                  },
                  "additionalProperties": false
                },
                "clientId": {
                  "description": "The OAuth 2.0 client id (oauth2ClientCredentials, oauth2JwtBearer).",
                  "type": "string",
                  "maxLength": 512
                },
                "clientSecret": {
                  "description": "The OAuth 2.0 client secret (oauth2ClientCredentials).",
                  "title": "SecretValue",
                  "type": "object",
                  "minProperties": 1,
                  "maxProperties": 1,
                  "properties": {
                    "plain": {
                      "description": "The value in plain text; refused unless the environment's policy allows plain secrets.",
                      "type": "string",
                      "maxLength": 65536
                    },
                    "sealed": {
                      "description": "The value sealed to the environment's public key with `intctl seal`.",
                      "type": "string",
                      "pattern": "^[A-Za-z0-9+/=_-]+$",
                      "maxLength": 131072
                    },
                    "env": {
                      "description": "The name of an environment variable that holds the value where the connection is used.",
                      "type": "string",
                      "pattern": "^[A-Za-z_][A-Za-z0-9_]*$",
                      "maxLength": 256
                    },
                    "file": {
                      "description": "The path of a file that holds the value (a mounted Kubernetes Secret).",
                      "type": "string",
                      "minLength": 1,
                      "maxLength": 4096
                    }
                  },
                  "additionalProperties": false
                },
                "subject": {
                  "description": "The user the signed assertion speaks for (oauth2JwtBearer).",
                  "type": "string",
                  "maxLength": 512
                },
                "privateKey": {
                  "description": "The private key that signs assertions (oauth2JwtBearer, private_key_jwt) or authenticates over mutual TLS (clientCertificate, tls_client_auth): PEM (PKCS#8, PKCS#1 or SEC1, optionally followed by its certificate chain), or a PKCS#12 (.pfx) file in base64, which also holds the certificate.",
                  "title": "SecretValue",
                  "type": "object",
                  "minProperties": 1,
                  "maxProperties": 1,
                  "properties": {
                    "plain": {
                      "description": "The value in plain text; refused unless the environment's policy allows plain secrets.",
                      "type": "string",
                      "maxLength": 65536
                    },
                    "sealed": {
                      "description": "The value sealed to the environment's public key with `intctl seal`.",
                      "type": "string",
                      "pattern": "^[A-Za-z0-9+/=_-]+$",
                      "maxLength": 131072
                    },
                    "env": {
                      "description": "The name of an environment variable that holds the value where the connection is used.",
                      "type": "string",
                      "pattern": "^[A-Za-z_][A-Za-z0-9_]*$",
                      "maxLength": 256
                    },
                    "file": {
                      "description": "The path of a file that holds the value (a mounted Kubernetes Secret).",
                      "type": "string",
                      "minLength": 1,
                      "maxLength": 4096
                    }
                  },
                  "additionalProperties": false
                },
                "certificate": {
                  "description": "The PEM certificate of privateKey (and its chain), public, so given as text: the client certificate of mutual TLS, and the x5t of signed assertions. Not needed when privateKey is PKCS#12.",
                  "type": "string",
                  "maxLength": 65536
                },
                "keyPassword": {
                  "description": "The password of an encrypted PEM privateKey or of a PKCS#12 privateKey.",
                  "title": "SecretValue",
                  "type": "object",
                  "minProperties": 1,
                  "maxProperties": 1,
                  "properties": {
                    "plain": {
                      "description": "The value in plain text; refused unless the environment's policy allows plain secrets.",
                      "type": "string",
                      "maxLength": 65536
                    },
                    "sealed": {
                      "description": "The value sealed to the environment's public key with `intctl seal`.",
                      "type": "string",
                      "pattern": "^[A-Za-z0-9+/=_-]+$",
                      "maxLength": 131072
                    },
                    "env": {
                      "description": "The name of an environment variable that holds the value where the connection is used.",
                      "type": "string",
                      "pattern": "^[A-Za-z_][A-Za-z0-9_]*$",
                      "maxLength": 256
                    },
                    "file": {
                      "description": "The path of a file that holds the value (a mounted Kubernetes Secret).",
                      "type": "string",
                      "minLength": 1,
                      "maxLength": 4096
                    }
                  },
                  "additionalProperties": false
                },
                "caBundle": {
                  "description": "PEM certificates of the authorities this environment trusts for the endpoint and the token endpoint, in place of the system's (a private CA).",
                  "type": "string",
                  "maxLength": 262144
                },
                "clientAuthentication": {
                  "description": "This environment's client authentication, in place of spec.auth.clientAuthentication (to move from a client secret to a certificate one environment at a time).",
                  "type": "string",
                  "enum": [
                    "client_secret_basic",
                    "client_secret_post",
                    "private_key_jwt",
                    "tls_client_auth",
                    "self_signed_tls_client_auth",
                    "none"
                  ]
                },
                "issuer": {
                  "description": "This environment's issuer, in place of spec.auth.issuer (an Entra tenant differs per environment).",
                  "type": "string",
                  "format": "uri",
                  "maxLength": 2048
                },
                "tokenUrl": {
                  "description": "This environment's OAuth 2.0 token endpoint, in place of spec.auth.tokenUrl.",
                  "type": "string",
                  "format": "uri",
                  "maxLength": 2048
                },
                "scopes": {
                  "description": "This environment's OAuth 2.0 scopes, in place of spec.auth.scopes (Dataverse scopes name the organization).",
                  "type": "array",
                  "maxItems": 64,
                  "x-kubernetes-list-type": "set",
                  "items": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 512
                  }
                },
                "audience": {
                  "description": "This environment's assertion audience, in place of spec.auth.audience.",
                  "type": "string",
                  "maxLength": 2048
                },
                "parameters": {
                  "description": "Further non-secret parameters sent with every request (an SAP client number, say).",
                  "type": "object",
                  "maxProperties": 64,
                  "additionalProperties": {
                    "type": "string",
                    "maxLength": 1024
                  }
                }
              },
              "additionalProperties": false
            }
          }
        },
        "additionalProperties": false
      },
      "status": {
        "title": "ConnectionStatus",
        "type": "object",
        "properties": {
          "conditions": {
            "description": "Ready, Reconciling, Stalled, AwaitingApproval, Drifted and CertificatesExpiring, per environment.",
            "type": "array",
            "maxItems": 256,
            "items": {
              "title": "Condition",
              "type": "object",
              "required": [
                "type",
                "status",
                "reason",
                "lastTransitionTime"
              ],
              "properties": {
                "type": {
                  "type": "string",
                  "enum": [
                    "Ready",
                    "Reconciling",
                    "Stalled",
                    "AwaitingApproval",
                    "Drifted",
                    "CertificatesExpiring"
                  ]
                },
                "status": {
                  "type": "string",
                  "enum": [
                    "True",
                    "False",
                    "Unknown"
                  ]
                },
                "environment": {
                  "description": "The environment this condition speaks of.",
                  "type": "string",
                  "maxLength": 63
                },
                "reason": {
                  "description": "Why, as a CamelCase constant (GitFetchFailed, ValidationFailed, ...).",
                  "type": "string",
                  "pattern": "^[A-Z][A-Za-z0-9]*$",
                  "maxLength": 1024
                },
                "message": {
                  "type": "string",
                  "maxLength": 32768
                },
                "observedCommit": {
                  "description": "The Git commit this condition was computed at.",
                  "type": "string",
                  "pattern": "^[0-9a-f]{40}([0-9a-f]{24})?$"
                },
                "lastTransitionTime": {
                  "type": "string",
                  "format": "date-time"
                }
              },
              "additionalProperties": false
            }
          },
          "fingerprints": {
            "description": "A keyed fingerprint of the connection in each environment, which shows a change without revealing a secret.",
            "type": "object",
            "additionalProperties": {
              "type": "string",
              "pattern": "^[0-9a-f]{64}$"
            }
          }
        },
        "additionalProperties": false
      }
    },
    "additionalProperties": false
  },
  "Environment": {
    "title": "Environment",
    "description": "A place where integrations are published: its driver and address, its policy, its promotion order and the pinned versions of its shared dependencies.",
    "type": "object",
    "required": [
      "apiVersion",
      "kind",
      "metadata",
      "spec"
    ],
    "properties": {
      "apiVersion": {
        "type": "string",
        "enum": [
          "intctl.dev/v1alpha1"
        ]
      },
      "kind": {
        "type": "string",
        "enum": [
          "Environment"
        ]
      },
      "metadata": {
        "title": "ObjectMeta",
        "type": "object",
        "required": [
          "name"
        ],
        "properties": {
          "name": {
            "description": "The name of the object, unique per kind: lower-case letters, digits and dashes.",
            "type": "string",
            "minLength": 1,
            "maxLength": 63,
            "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
          },
          "namespace": {
            "type": "string",
            "maxLength": 63,
            "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
          },
          "labels": {
            "type": "object",
            "additionalProperties": {
              "type": "string",
              "maxLength": 63
            }
          },
          "annotations": {
            "type": "object",
            "additionalProperties": {
              "type": "string",
              "maxLength": 262144
            }
          }
        },
        "additionalProperties": false
      },
      "spec": {
        "title": "EnvironmentSpec",
        "type": "object",
        "required": [
          "driver"
        ],
        "properties": {
          "driver": {
            "description": "How the environment is reached. embedded keeps it in a local SQLite file; http reaches an environment server.",
            "type": "string",
            "enum": [
              "embedded",
              "http"
            ]
          },
          "description": {
            "type": "string",
            "maxLength": 1024
          },
          "url": {
            "description": "The environment server's base URL (http).",
            "type": "string",
            "format": "uri",
            "maxLength": 2048
          },
          "path": {
            "description": "The SQLite file of an embedded environment, relative to the controller's state directory and inside it (absolute paths and .. out of it are refused).",
            "type": "string",
            "minLength": 1,
            "maxLength": 4096
          },
          "token": {
            "description": "The token the controller presents to the environment server (http).",
            "title": "SecretValue",
            "type": "object",
            "minProperties": 1,
            "maxProperties": 1,
            "properties": {
              "plain": {
                "description": "The value in plain text; refused unless the environment's policy allows plain secrets.",
                "type": "string",
                "maxLength": 65536
              },
              "sealed": {
                "description": "The value sealed to the environment's public key with `intctl seal`.",
                "type": "string",
                "pattern": "^[A-Za-z0-9+/=_-]+$",
                "maxLength": 131072
              },
              "env": {
                "description": "The name of an environment variable that holds the value where the connection is used.",
                "type": "string",
                "pattern": "^[A-Za-z_][A-Za-z0-9_]*$",
                "maxLength": 256
              },
              "file": {
                "description": "The path of a file that holds the value (a mounted Kubernetes Secret).",
                "type": "string",
                "minLength": 1,
                "maxLength": 4096
              }
            },
            "additionalProperties": false
          },
          "promotesFrom": {
            "description": "An environment this one follows. A commit is applied here only once that environment is Ready at the same commit.",
            "type": "string",
            "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
            "maxLength": 63
          },
          "policy": {
            "title": "EnvironmentPolicy",
            "description": "What the controller may do here on its own.",
            "type": "object",
            "properties": {
              "autoApply": {
                "description": "Apply a plan as soon as its gate allows; when false, plans wait for `intctl apply`.",
                "type": "boolean",
                "default": true
              },
              "requiredApprovals": {
                "description": "Approving pull-request reviews a commit needs before it is applied here.",
                "type": "integer",
                "minimum": 0,
                "maximum": 10,
                "default": 0
              },
              "approvers": {
                "description": "The users whose approvals count; when omitted, any reviewer with write access.",
                "type": "array",
                "maxItems": 256,
                "x-kubernetes-list-type": "set",
                "items": {
                  "type": "string",
                  "minLength": 1,
                  "maxLength": 39
                }
              },
              "allowBreaking": {
                "description": "Whether a breaking interface change may be applied; when false the plan is blocked.",
                "type": "boolean",
                "default": true
              },
              "prune": {
                "description": "Unpublish integrations and delete connections that Git no longer names.",
                "type": "boolean",
                "default": false
              },
              "maxPruneShare": {
                "description": "The largest share (0 to 1) of the environment's published integrations one plan may unpublish; a plan that would unpublish more is refused until this is raised (1 allows any prune). A guard against a manifest that failed to load, or a mistaken deletion, emptying an environment.",
                "type": "number",
                "minimum": 0,
                "maximum": 1,
                "default": 0.5
              },
              "selfHeal": {
                "description": "Correct drift (changes made outside Git) instead of only reporting it.",
                "type": "boolean",
                "default": false
              },
              "plainSecrets": {
                "description": "Accept secret values in plain text; meant for local development only.",
                "type": "boolean",
                "default": false
              }
            },
            "additionalProperties": false
          },
          "dependencies": {
            "title": "DependencyPins",
            "description": "The pinned versions of the shared runtime dependencies installed here.",
            "type": "object",
            "properties": {
              "integration-utils": {
                "type": "string",
                "pattern": "^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$"
              },
              "common-shared-services": {
                "type": "string",
                "pattern": "^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$"
              },
              "secret-manager": {
                "type": "string",
                "pattern": "^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$"
              },
              "integration-manager": {
                "type": "string",
                "pattern": "^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$"
              },
              "sharepoint-utils": {
                "type": "string",
                "pattern": "^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$"
              }
            },
            "additionalProperties": false
          },
          "suspend": {
            "description": "Stop reconciling this environment; what is applied stays as it is.",
            "type": "boolean"
          }
        },
        "additionalProperties": false
      },
      "status": {
        "title": "EnvironmentStatus",
        "type": "object",
        "properties": {
          "conditions": {
            "description": "Ready, Reconciling, Stalled, AwaitingApproval, Drifted and CertificatesExpiring, per environment.",
            "type": "array",
            "maxItems": 256,
            "items": {
              "title": "Condition",
              "type": "object",
              "required": [
                "type",
                "status",
                "reason",
                "lastTransitionTime"
              ],
              "properties": {
                "type": {
                  "type": "string",
                  "enum": [
                    "Ready",
                    "Reconciling",
                    "Stalled",
                    "AwaitingApproval",
                    "Drifted",
                    "CertificatesExpiring"
                  ]
                },
                "status": {
                  "type": "string",
                  "enum": [
                    "True",
                    "False",
                    "Unknown"
                  ]
                },
                "environment": {
                  "description": "The environment this condition speaks of.",
                  "type": "string",
                  "maxLength": 63
                },
                "reason": {
                  "description": "Why, as a CamelCase constant (GitFetchFailed, ValidationFailed, ...).",
                  "type": "string",
                  "pattern": "^[A-Z][A-Za-z0-9]*$",
                  "maxLength": 1024
                },
                "message": {
                  "type": "string",
                  "maxLength": 32768
                },
                "observedCommit": {
                  "description": "The Git commit this condition was computed at.",
                  "type": "string",
                  "pattern": "^[0-9a-f]{40}([0-9a-f]{24})?$"
                },
                "lastTransitionTime": {
                  "type": "string",
                  "format": "date-time"
                }
              },
              "additionalProperties": false
            }
          },
          "lastAppliedCommit": {
            "type": "string",
            "pattern": "^[0-9a-f]{40}([0-9a-f]{24})?$"
          },
          "lastAppliedTime": {
            "type": "string",
            "format": "date-time"
          },
          "dependencies": {
            "description": "The versions installed now.",
            "type": "object",
            "additionalProperties": {
              "type": "string",
              "maxLength": 128
            }
          }
        },
        "additionalProperties": false
      }
    },
    "additionalProperties": false
  }
} as const;
