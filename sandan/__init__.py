"""sandan (산단): the platform of Korea's Industrial Complex Cluster Program."""
